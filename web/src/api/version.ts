import { apiGet } from './client';

/** Build information of the running backend, from GET /api/version. */
export interface VersionInfo {
  version: string;
  revision: string;
  buildDate: string;
}

export function fetchVersion(): Promise<VersionInfo> {
  return apiGet<VersionInfo>('/api/version');
}

/** "archivist v0.1.0 (abc1234)": short revision, and no doubled "v" if the backend already adds one. */
export function formatVersion(info: VersionInfo): string {
  const version = info.version.startsWith('v') ? info.version : `v${info.version}`;
  const revision = info.revision ? ` (${info.revision.slice(0, 7)})` : '';
  return `archivist ${version}${revision}`;
}
