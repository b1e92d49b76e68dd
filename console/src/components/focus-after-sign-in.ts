/**
 * Signing in replaces the sign-in form with the layout, and focus falls to <body> with the form. The
 * sign-in screen marks that here and the layout takes the mark once, so a plain page load (focus
 * before the skip link, where the browser puts it) is left alone.
 */
let pending = false;

export function markSignedIn(): void {
  pending = true;
}

export function takeSignedInMark(): boolean {
  const marked = pending;
  pending = false;
  return marked;
}
