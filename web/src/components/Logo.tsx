/** The Archivist mark: a stylised archive box, drawn inline so no asset request is needed. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg
      className="logo-mark"
      width={size}
      height={size}
      viewBox="0 0 32 32"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      aria-hidden="true"
    >
      <rect x="4" y="6" width="24" height="6" rx="1.5" />
      <path d="M6 12v13a1.5 1.5 0 0 0 1.5 1.5h17A1.5 1.5 0 0 0 26 25V12" />
      <path d="M13 17h6" />
    </svg>
  );
}
