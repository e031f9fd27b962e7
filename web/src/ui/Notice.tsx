// A message box. Errors and warnings are announced at once (role alert), information and
// success politely (role status).
import type { ReactNode } from 'react';

export function Notice({ tone = 'info', title, children, id }: { tone?: 'info' | 'success' | 'warning' | 'error'; title?: string; children?: ReactNode; id?: string }) {
  return (
    <div id={id} className={`notice notice-${tone}`} role={tone === 'error' || tone === 'warning' ? 'alert' : 'status'}>
      {title ? <p className="notice-title">{title}</p> : null}
      {children ? <div className="notice-body">{children}</div> : null}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
