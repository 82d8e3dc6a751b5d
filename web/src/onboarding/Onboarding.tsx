import { useState } from 'react';
import { putOnboarding, type OnboardingState, type OnboardingStep } from '../api/onboarding';
import { FirstBackupStep } from './FirstBackupStep';
import { FolderStep } from './FolderStep';
import { NodeStep } from './NodeStep';
import { SplashStep } from './SplashStep';
import { WelcomeStep } from './WelcomeStep';
import './onboarding.css';

/** The steps the dots count (the splash is not one). */
const COUNTED: OnboardingStep[] = ['welcome', 'node-starting', 'folder-select', 'syncing'];

interface Props {
  initial: OnboardingState;
  onDone: () => void;
}

/**
 * The first-run flow: splash → welcome → node starting → choose a folder →
 * its first backup. Three decisions reach a backed-up folder: "Get
 * Started", a folder (Quick Backup is one click), "Continue". Every step is
 * stored as it is reached, so a relaunch resumes where the user was; a
 * failed save only means the step may be shown again, so it is not in the
 * user's way.
 */
export function Onboarding({ initial, onDone }: Props) {
  const resumeAt: OnboardingStep =
    initial.step === '' ? 'splash' : initial.step === 'syncing' && !initial.folderId ? 'folder-select' : initial.step;
  const [step, setStep] = useState<OnboardingStep>(resumeAt);
  const [folderId, setFolderId] = useState(initial.folderId);

  const go = (next: OnboardingStep, fid = folderId) => {
    setStep(next);
    setFolderId(fid);
    putOnboarding({ complete: false, step: next, ...(fid ? { folderId: fid } : {}) }).catch(() => {});
  };
  const finish = () => {
    putOnboarding({ complete: true, step: '', ...(folderId ? { folderId } : {}) }).then(onDone, onDone);
  };

  const index = COUNTED.indexOf(step);
  return (
    <main className="onboarding" aria-label="Getting started">
      {step !== 'splash' && (
        <header className="onboarding-header">
          <ol className="onboarding-dots" aria-label={`Step ${index + 1} of ${COUNTED.length}`}>
            {COUNTED.map((s, i) => (
              <li key={s} className={i < index ? 'done' : i === index ? 'current' : undefined} aria-hidden="true" />
            ))}
          </ol>
          {step !== 'welcome' && (
            <button type="button" className="link-button" onClick={finish}>
              Skip setup
            </button>
          )}
        </header>
      )}
      <div className="onboarding-body">
        {step === 'splash' && <SplashStep onNext={() => go('welcome')} />}
        {step === 'welcome' && <WelcomeStep onStart={() => go('node-starting')} onSkip={finish} />}
        {step === 'node-starting' && <NodeStep onReady={() => go('folder-select')} />}
        {step === 'folder-select' && <FolderStep onChosen={(id) => go('syncing', id)} />}
        {step === 'syncing' && folderId && (
          <FirstBackupStep folderId={folderId} onChooseAnother={() => go('folder-select', undefined)} onDone={finish} />
        )}
      </div>
    </main>
  );
}
