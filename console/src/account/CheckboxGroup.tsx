import { useId } from "react";
import { toggleInOrder } from "./selection";

interface CheckboxGroupProps<T extends string> {
  legend: string;
  options: readonly T[];
  selected: readonly T[];
  onChange: (next: T[]) => void;
  describe: (option: T) => string;
}

/** One labelled checkbox per option; the label is the option exactly as the API spells it. */
export function CheckboxGroup<T extends string>({ legend, options, selected, onChange, describe }: CheckboxGroupProps<T>) {
  const baseId = useId();
  return (
    <fieldset className="checkbox-group">
      <legend>{legend}</legend>
      {options.map((option, index) => {
        const id = `${baseId}-${index}`;
        return (
          <div key={option} className="checkbox-row">
            <input
              id={id}
              type="checkbox"
              checked={selected.includes(option)}
              onChange={(event) => onChange(toggleInOrder(selected, option, event.target.checked, options))}
              aria-describedby={`${id}-hint`}
            />
            <label htmlFor={id}>{option}</label>
            <span id={`${id}-hint`} className="muted">
              {describe(option)}
            </span>
          </div>
        );
      })}
    </fieldset>
  );
}
