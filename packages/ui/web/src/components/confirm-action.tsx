/**
 * A button that asks first. The question sits in a native modal <dialog>
 * (focus moves into it, Escape cancels); the answer of the API (result or
 * its error message) is shown next to the button afterwards.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { useMayChange } from '../role.js';

export interface ConfirmActionProps {
  label: string;
  title: string;
  /** What will happen, shown in the dialog. */
  children?: ComponentChildren;
  /** Runs the change; returns a line saying what happened. */
  run: () => Promise<string>;
  /** Called before the dialog opens; may refuse with a message (e.g. an invalid field). */
  prepare?: () => Promise<string | null> | string | null;
  disabled?: boolean;
  danger?: boolean;
  /** What the action changes, so a token whose role may not is not offered it. */
  changes: 'services' | 'nodes';
}

type Outcome = { ok: boolean; text: string } | null;

export function ConfirmAction(props: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const allowed = useMayChange(props.changes);
  const titleId = useId();
  if (!allowed) return null;

  const open = async () => {
    setOutcome(null);
    try {
      const refusal = props.prepare ? await props.prepare() : null;
      if (refusal) return setOutcome({ ok: false, text: refusal });
    } catch (err) {
      return setOutcome({ ok: false, text: (err as Error).message });
    }
    dialog.current?.showModal();
  };
  const confirm = async () => {
    setBusy(true);
    try {
      setOutcome({ ok: true, text: await props.run() });
    } catch (err) {
      setOutcome({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };

  return (
    <span class="confirm-action">
      <button type="button" class={props.danger ? 'danger' : ''} disabled={props.disabled || busy} onClick={() => void open()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <h2 id={titleId}>{props.title}</h2>
        <div class="dialog-body">{props.children}</div>
        <div class="dialog-buttons">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy} autofocus={props.danger}>
            Cancel
          </button>
          <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={() => void confirm()} disabled={busy} autofocus={!props.danger}>
            {busy ? 'Working…' : `Confirm: ${props.label}`}
          </button>
        </div>
      </dialog>
      {outcome && (
        <span class={outcome.ok ? 'outcome ok' : 'outcome error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </span>
      )}
    </span>
  );
}
