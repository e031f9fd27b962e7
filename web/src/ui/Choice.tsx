// One choice among a few, as a labelled radio group (one Tab stop, arrows to choose).
import { Label, Radio, RadioGroup } from 'react-aria-components';

export function Choice<T extends string>({ label, value, onChange, options }: { label: string; value: T; onChange(v: T): void; options: Array<[NoInfer<T>, string]> }) {
  return (
    <RadioGroup className="field radio-group" value={value} onChange={(v) => onChange(v as T)}>
      <Label className="field-label">{label}</Label>
      {options.map(([v, text]) => (
        <Radio key={v} className="radio" value={v}>
          {text}
        </Radio>
      ))}
    </RadioGroup>
  );
}
