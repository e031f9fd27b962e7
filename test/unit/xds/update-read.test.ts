// The ITI-57 door reads the shape of each operation and refuses a malformed one with
// XDSMetadataUpdateOperationError before the record is asked anything (20002, 20002b, 20007).
import { describe, expect, it } from '@jest/globals';
import { readUpdate } from '../../../src/xds/door/update.js';
import { parseXml, type Element } from '../../../src/xml/index.js';

const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const PID = 'P1^^^&amp;1.2.250.1.213.1.4.8&amp;ISO';
const DOC = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001';
const STATUS = 'urn:oasis:names:tc:ebxml-regrep:StatusType:';

const slot = (name: string, value: string) => `<r:Slot name="${name}"><r:ValueList><r:Value>${value}</r:Value></r:ValueList></r:Slot>`;

function request(objects: string): Element {
  return parseXml(`<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"><r:RegistryObjectList xmlns:r="${RIM}">
<r:RegistryPackage id="SS1">${slot('submissionTime', '20250101120000')}
 <r:Classification id="c9" classifiedObject="SS1" classificationScheme="urn:uuid:aa543740-bdda-424e-8c96-df4873be8500" nodeRepresentation="04">${slot('codingScheme', '1.2.250.1.213.1.1.4.2')}</r:Classification>
 <r:ExternalIdentifier identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8" value="1.2.3.4.5" registryObject="SS1" id="e1"/>
 <r:ExternalIdentifier identificationScheme="urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832" value="1.2.3" registryObject="SS1" id="e2"/>
 <r:ExternalIdentifier identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value="${PID}" registryObject="SS1" id="e3"/>
</r:RegistryPackage>
<r:Classification id="c0" classifiedObject="SS1" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>
${objects}</r:RegistryObjectList></lcm:SubmitObjectsRequest>`).documentElement!;
}

const statusChange = (slots: string) =>
  `<r:Association id="ua1" sourceObject="SS1" targetObject="${DOC}" associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus">${slots}</r:Association>`;

describe('ITI-57 door: reading an update', () => {
  it('reads an UpdateAvailabilityStatus into a status change', () => {
    const r = readUpdate(request(statusChange(slot('OriginalStatus', `${STATUS}Approved`) + slot('NewStatus', `${STATUS}Deprecated`))));
    expect(r.statusChanges).toEqual([{ id: 'ua1', targetId: DOC, from: 'Approved', to: 'Deprecated' }]);
  });

  it.each([
    ['a PreviousVersion slot', slot('OriginalStatus', `${STATUS}Approved`) + slot('NewStatus', `${STATUS}Deprecated`) + slot('PreviousVersion', '1')],
    ['no OriginalStatus', slot('NewStatus', `${STATUS}Deprecated`)],
    ['no NewStatus', slot('OriginalStatus', `${STATUS}Approved`)],
    ['an unknown NewStatus', slot('OriginalStatus', `${STATUS}Approved`) + slot('NewStatus', `${STATUS}Bogus`)],
    ['the same status twice', slot('OriginalStatus', `${STATUS}Approved`) + slot('NewStatus', `${STATUS}Approved`)],
  ])('refuses an UpdateAvailabilityStatus with %s (20002)', (_what, slots) => {
    expect(() => readUpdate(request(statusChange(slots)))).toThrow(expect.objectContaining({ reason: 'XDSMetadataUpdateOperationError' }));
  });

  it('refuses an association that is neither a version link nor submitted by SubmitAssociation', () => {
    const apnd = `<r:Association id="a1" sourceObject="${DOC}" targetObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" associationType="urn:ihe:iti:2007:AssociationType:APND"/>`;
    expect(() => readUpdate(request(apnd))).toThrow(expect.objectContaining({ reason: 'XDSMetadataUpdateOperationError' }));
    const submitted = readUpdate(request(`${apnd}<r:Association id="sa" sourceObject="SS1" targetObject="a1" associationType="urn:ihe:iti:2010:AssociationType:SubmitAssociation"/>`));
    expect(submitted.associations.map((a) => [a.id, a.type])).toEqual([['a1', 'APND']]);
  });
});
