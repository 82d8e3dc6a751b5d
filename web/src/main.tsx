import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { AppRoutes, ROUTER_FUTURE } from './App';
import { OnboardingGate } from './onboarding/OnboardingGate';
import './styles/global.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing #root');

createRoot(root).render(
  <StrictMode>
    <BrowserRouter future={ROUTER_FUTURE}>
      <OnboardingGate>
        <AppRoutes />
      </OnboardingGate>
    </BrowserRouter>
  </StrictMode>,
);
