// A labelled text field with its hint and its error, from react-aria-components: the label,
// the description and the error are tied to the input for assistive technologies.
import { FieldError, Input, Label, Text, TextArea, TextField } from 'react-aria-components';

export interface FieldProps {
  label: string;
  value: string;
  onChange(v: string): void;
  description?: string;
  /** an error to show under the field (marks it invalid) */
  error?: string;
  type?: 'text' | 'email' | 'tel' | 'password' | 'date' | 'search';
  name?: string;
  autoComplete?: string;
  isRequired?: boolean;
  isDisabled?: boolean;
  multiline?: boolean;
  inputMode?: 'numeric' | 'text' | 'email' | 'tel';
  maxLength?: number;
  autoFocus?: boolean;
}

export function Field(p: FieldProps) {
  return (
    <TextField
      className="field"
      value={p.value}
      onChange={p.onChange}
      type={p.multiline ? undefined : (p.type ?? 'text')}
      name={p.name}
      autoComplete={p.autoComplete}
      isRequired={p.isRequired}
      isDisabled={p.isDisabled}
      isInvalid={!!p.error}
      inputMode={p.inputMode}
      maxLength={p.maxLength}
      autoFocus={p.autoFocus}
    >
      <Label className="field-label">
        {p.label}
        {p.isRequired ? <span aria-hidden="true"> *</span> : null}
      </Label>
      {p.description ? (
        <Text slot="description" className="field-hint">
          {p.description}
        </Text>
      ) : null}
      {p.multiline ? <TextArea className="input" rows={4} /> : <Input className="input" />}
      <FieldError className="field-error">{p.error}</FieldError>
    </TextField>
  );
}
