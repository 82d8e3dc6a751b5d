export function WelcomeStep({ onStart, onSkip }: { onStart: () => void; onSkip: () => void }) {
  return (
    <section className="onboarding-step" aria-labelledby="welcome-title">
      <h1 id="welcome-title">Welcome to Archivist</h1>
      <p className="onboarding-lead">Back up your first folder in 30 seconds</p>
      <p>No cloud providers. No subscriptions. Your data, your control.</p>
      <div className="onboarding-actions">
        <button type="button" className="primary" onClick={onStart} autoFocus>
          Get Started
        </button>
        <button type="button" className="link-button" onClick={onSkip}>
          Skip for now
        </button>
      </div>
    </section>
  );
}
