// Shapes of the JSON API (/api/v1). Timestamps are Unix milliseconds.

export type Stage = 'password_change' | 'totp_enrol' | 'totp_verify' | 'active';
export type Role = 'operator' | 'supervisor' | 'coordinator' | 'admin';

export interface UserRef {
  id: number;
  username: string;
}

export interface LoginResponse {
  stage: Stage;
  csrf_token: string;
  user: { id: number };
}

export interface Me {
  id: number;
  username: string;
  role: Role;
  stage: Stage;
  csrf_token: string;
}

export interface StageResponse {
  stage: Stage;
}

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

export interface CaseSummary {
  id: number;
  kind: string;
  state: string;
  channel: string;
  triage: string;
  suspect: boolean;
  assignee: UserRef | null;
  created_at: number;
  updated_at: number;
}

/** POST /cases: the new case, and its receipt, shown once. */
export interface FiledReport extends CaseSummary {
  receipt: string;
}

export interface CasePage {
  items: CaseSummary[];
  next_cursor: string | null;
}

export interface Message {
  id: number;
  kind: 'inbound' | 'reply' | 'note' | 'form' | string;
  author: UserRef | null;
  channel: string;
  at: number;
  text: string;
  /** Form answers ({name: value}); present on `form` messages, whose `text` is then empty. */
  fields?: Record<string, unknown>;
}

export interface HistoryEntry {
  at: number;
  actor: UserRef | null;
  type: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

export interface CaseHandoff {
  id: number;
  coordinator: UserRef;
  fields: string[];
  at: number;
  outcome: string | null;
  outcome_at: number | null;
  /** The coordinator's note with the outcome, for the team. */
  outcome_note: string;
}

/** A photo the person sent (stripped of its metadata at intake), served decrypted by the API. */
export interface Attachment {
  id: number;
  mime: string;
  size: number;
  at: number;
}

export interface CaseDetail extends CaseSummary {
  closure_reason: string | null;
  inquiry_answer: string | null;
  next_states: string[];
  /** The closure reasons that fit if the case is closed now. */
  closure_reasons: string[];
  form: Record<string, unknown>;
  messages: Message[];
  history: HistoryEntry[];
  handoffs: CaseHandoff[];
  attachments: Attachment[];
}

export interface CaseFilter {
  state: string;
  kind: string;
  channel: string;
  assignee: string;
  older_than_hours: string;
}

export interface Operator {
  id: number;
  username: string;
  role: string;
}

export interface Handoff {
  id: number;
  case_id: number;
  at: number;
  fields: Record<string, unknown>;
  note: string;
  outcome: string | null;
  /** The coordinator's key no longer opens it (reset since it was made): ids only. */
  unreadable: boolean;
}

export interface User {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  totp_enabled: boolean;
  must_change_password: boolean;
  created_at: number;
  /** Queue skills (operators and supervisors); an empty list means every language (every kind). */
  skills: { languages: string[]; kinds: string[] };
}

export interface NewAccount {
  id: number;
  one_time_password: string;
  recovery_key: string;
}

export interface Items<T> {
  items: T[];
}

/** A page of a list the API pages: next_cursor asks for the next one, null on the last. */
export interface Page<T> extends Items<T> {
  next_cursor: string | null;
}

/** What a screen gets from the router. */
export interface ViewContext {
  me: Me;
  /** Aborted when the user leaves the screen: pending requests and subscriptions end. */
  signal: AbortSignal;
}

// ---- Queue and wallboard ------------------------------------------------------

export type Presence = 'available' | 'busy' | 'wrap_up' | 'away' | 'offline';

/** A queue entry as the console sees it: ids, codes and times only. */
export interface QueueEntry {
  id: number;
  case_id: number | null;
  channel: string;
  language: string;
  kind: string;
  media: 'chat' | 'call' | string;
  state: 'waiting' | 'offered' | 'connected' | string;
  callback: boolean;
  overflowed: boolean;
  operator_id: number | null;
  entered_at: number;
  queued_at: number;
  /** Milliseconds waited when the server answered (offers and the line: still waiting). */
  wait_ms: number;
}

export interface QueueMine {
  presence: Presence;
  active_chats: number;
  active_calls: number;
  max_chats: number;
  offers: QueueEntry[];
  active: QueueEntry[];
}

export interface QueueWaiting {
  at: number;
  items: QueueEntry[];
}

/** GET /queue/active (supervisors): contacts offered to or connected with any operator. */
export interface QueueActiveEntry extends QueueEntry {
  offered: boolean;
  connected_at: number | null;
}

export interface QueueActive {
  at: number;
  items: QueueActiveEntry[];
}

/** Where a transfer sends a contact: one operator, or a skill (language and case kind). */
export type TransferTarget = { operator_id: number } | { language: string; kind: string };

export interface OperatorState {
  presence: Presence;
  active_chats: number;
  active_calls: number;
  max_chats: number;
}

export interface Wallboard {
  at: number;
  day_start: number;
  waiting: number;
  longest_wait_ms: number;
  callbacks_waiting: number;
  connected: number;
  operators: Partial<Record<Presence, number>>;
  service_level_seconds: number;
  today: {
    offered: number;
    answered: number;
    answered_within_service_level: number;
    abandoned: number;
    short_abandoned: number;
    callbacks: number;
    transfers: number;
    service_level: number | null;
    asa_seconds: number | null;
    abandon_rate: number | null;
  };
}
