/**
 * Copies text. The async Clipboard API exists only in secure contexts
 * (navigator.clipboard is missing elsewhere), and this UI may be opened over
 * plain http on a LAN address, so fall back to a hidden textarea and
 * execCommand there.
 */
export async function copyText(text: string): Promise<void> {
  // Absent outside secure contexts, whatever the DOM types say.
  if (navigator.clipboard) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  try {
    area.select();
    // Deprecated but the only way without the Clipboard API.
    if (!document.execCommand('copy')) throw new Error('copy was refused');
  } finally {
    area.remove();
    previous?.focus();
  }
}
