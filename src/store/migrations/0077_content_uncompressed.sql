-- Document content is read in slices on its way out (ITI-43, ITI-68: src/store/content-slices.ts).
-- A compressed value must be decompressed from its start to reach a slice, so reading a document
-- in slices would cost the square of its length; stored uncompressed (still out of line, in TOAST),
-- a slice costs its own length. Medical documents (PDF, JPEG, DICOM) are mostly compressed already.
-- This applies to rows written from now on; rows written before stay as they were stored.
ALTER TABLE document_content ALTER COLUMN bytes SET STORAGE EXTERNAL;
