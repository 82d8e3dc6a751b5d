import { useEffect } from 'react';
import { Logo } from '../components/Logo';

/** How long the animated logo shows before the welcome screen. */
export const SPLASH_MS = 2000;

/**
 * The CSS splash (the reference's fallback when its video cannot play,
 * which on Linux was always): the mark breathing, the name sliding up.
 * It is only a greeting, so it is short and skippable.
 */
export function SplashStep({ onNext }: { onNext: () => void }) {
  useEffect(() => {
    const t = setTimeout(onNext, SPLASH_MS);
    return () => clearTimeout(t);
  }, [onNext]);
  return (
    <section className="onboarding-splash" aria-label="Archivist">
      <div className="splash-mark">
        <Logo size={96} />
      </div>
      <h1 className="splash-title">Archivist</h1>
      <p className="splash-subtitle">Decentralized Storage</p>
      <button type="button" className="link-button splash-skip" onClick={onNext}>
        Skip
      </button>
    </section>
  );
}
