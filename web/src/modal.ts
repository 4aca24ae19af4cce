/**
 * A modal dialog's keyboard contract (WAI-ARIA dialog pattern): Tab and Shift+Tab stay inside
 * it, Escape closes it, and closing puts focus back on what opened it, so a keyboard user is
 * never left behind the backdrop.
 */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function trapFocus(dialog: HTMLElement, close: () => void): void {
  dialog.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (!items.length) return e.preventDefault();
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const at = document.activeElement;
    if (e.shiftKey && (at === first || !dialog.contains(at))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (at === last || !dialog.contains(at))) {
      e.preventDefault();
      first.focus();
    }
  });
}

/** Focus back where it was before the dialog opened, if that element is still on the page. */
export function returnFocus(opener: Element | null, fallback: HTMLElement): void {
  if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  else fallback.focus();
}
