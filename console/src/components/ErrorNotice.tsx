import { describeError } from "../api/errors";

/** A failed call as the user sees it: the server's message, and the correlation id support asks for. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const shown = describeError(error);
  return (
    <div role="alert" className="error-notice">
      <p className="error-message">{shown.message}</p>
      {shown.fieldErrors.length > 0 && (
        <ul className="field-errors">
          {shown.fieldErrors.map(([field, messages]) => (
            <li key={field}>
              {field ? <strong>{field}: </strong> : null}
              {messages.join("; ")}
            </li>
          ))}
        </ul>
      )}
      {/* The rate limiter's own message already names the wait ("try again in 313 s"); say it once. */}
      {shown.retryAfterSeconds !== undefined && !shown.message.includes(`${shown.retryAfterSeconds} s`) && (
        <p>Try again in {shown.retryAfterSeconds} s.</p>
      )}
      {/* Only a call that got no answer is offered again: a refusal would be refused the same way. */}
      {onRetry && shown.unreachable && (
        <p>
          <button type="button" className="secondary" onClick={onRetry}>
            Try again
          </button>
        </p>
      )}
      {shown.correlationId && (
        <p className="error-correlation">
          Correlation id: <code data-testid="correlation-id">{shown.correlationId}</code>
        </p>
      )}
    </div>
  );
}
