import { PartSendError, type PartRequest } from "./uploader";

/**
 * A part PUT with XMLHttpRequest rather than fetch: only XHR reports the bytes of a request body
 * as they leave (`upload.onprogress`). The ETag comes from the answer's header (S3, and /files on
 * this origin) or, where CORS hides it, from the JSON body /files answers.
 */
export function xhrTransport(request: PartRequest<Blob>): Promise<{ etag: string | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => request.onProgress(event.loaded);
    xhr.onload = () => {
      request.signal.removeEventListener("abort", onAbort);
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(new PartSendError(xhr.status, storageMessage(xhr) ?? `The storage answered ${xhr.status}`));
        return;
      }
      request.onProgress(request.sizeBytes);
      resolve({ etag: xhr.getResponseHeader("ETag") ?? etagFromBody(xhr.responseText) });
    };
    xhr.onerror = () => {
      request.signal.removeEventListener("abort", onAbort);
      reject(new PartSendError(0, "The connection to the storage failed"));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(new PartSendError(0, "The part was cancelled"));
    request.signal.addEventListener("abort", onAbort, { once: true });
    xhr.send(request.body);
  });
}

function parsed(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function etagFromBody(text: string): string | null {
  const etag = parsed(text)?.etag;
  return typeof etag === "string" ? etag : null;
}

/** /files answers `{"error": {message}}`; S3 answers XML, shown by its status alone. */
function storageMessage(xhr: XMLHttpRequest): string | null {
  const error = parsed(xhr.responseText)?.error;
  if (typeof error !== "object" || error === null) return null;
  const message = (error as Record<string, unknown>).message;
  return typeof message === "string" ? message : null;
}
