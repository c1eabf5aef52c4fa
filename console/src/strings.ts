// Every text the console shows. Translate by editing this module only.
// Labels for server enums fall back to the raw value when missing (see label()).

export const LOCALE = 'en-GB';

export const S = {
  appName: 'lifeline',
  appTitle: 'lifeline console',
  loading: 'Loading…',
  dismiss: 'Dismiss',
  none: '—',
  yes: 'yes',
  no: 'no',
  any: 'Any',

  // Errors
  networkError: 'The server cannot be reached. Check the connection and try again.',
  httpError: (status: number) => `The server answered with an error (${status}).`,
  sessionEnded: 'Your session has ended. Please log in again.',
  required: (what: string) => `${what} is required.`,
  passwordTooShort: (min: number) => `The new password must have at least ${min} characters.`,
  notFound: 'This page does not exist.',
  badCaseId: 'That is not a valid case number.',

  // Header
  nav: 'Main',
  navCases: 'Cases',
  navHandoffs: 'Hand-offs',
  navUsers: 'Users',
  whoami: (username: string, role: string) => `${username} (${role})`,
  logout: 'Log out',
  skipToContent: 'Skip to content',

  // Login stages
  loginTitle: 'Log in',
  username: 'Username',
  password: 'Password',
  loginSubmit: 'Log in',
  passwordTitle: 'Set a new password',
  passwordIntro: 'Your password was set by an administrator and can be used only once. Choose your own password now.',
  currentPassword: 'Current (one-time) password',
  newPassword: 'New password',
  newPasswordHint: (min: number) => `At least ${min} characters. A sentence you can remember works well.`,
  passwordSubmit: 'Change password',
  totpEnrolTitle: 'Set up the second factor',
  totpEnrolIntro: 'Scan the QR code with an authenticator app (or type the key below into it), then enter the 6-digit code it shows.',
  totpQrAlt: 'QR code for the authenticator app',
  totpSecret: 'Key for manual entry',
  totpVerifyTitle: 'Second factor',
  totpVerifyIntro: 'Enter the 6-digit code from your authenticator app.',
  totpCode: 'Code',
  totpConfirmSubmit: 'Confirm',
  totpVerifySubmit: 'Verify',
  startOver: 'Back to login',

  // Case list
  casesTitle: 'Cases',
  filters: 'Filters',
  filterState: 'State',
  filterKind: 'Kind',
  filterChannel: 'Channel',
  filterAssignee: 'Assignee',
  filterAge: 'Older than',
  assigneeMe: 'Me',
  assigneeNone: 'Unassigned',
  ageOptions: [
    [1, '1 hour'],
    [4, '4 hours'],
    [12, '12 hours'],
    [24, '1 day'],
    [72, '3 days'],
    [168, '1 week'],
  ] as [number, string][],
  colId: 'Case',
  colKind: 'Kind',
  colState: 'State',
  colChannel: 'Channel',
  colTriage: 'Triage',
  colAssignee: 'Assignee',
  colAge: 'Age',
  colUpdated: 'Last activity',
  suspectBadge: 'suspect',
  noCases: 'No cases match these filters.',
  loadMore: 'Load more',
  caseCount: (n: number, more: boolean) => `${n} case${n === 1 ? '' : 's'} shown${more ? ', more available' : ''}`,

  // Age
  ageNow: 'now',
  ageMinutes: (n: number) => `${n} min`,
  ageHours: (n: number) => `${n} h`,
  ageDays: (n: number) => `${n} d`,
  ago: (age: string) => `${age} ago`,

  // Case view
  backToCases: '← All cases',
  caseTitle: (id: number) => `Case #${id}`,
  caseDetails: 'Details',
  kind: 'Kind',
  state: 'State',
  channel: 'Channel',
  triage: 'Triage',
  suspect: 'Suspect',
  assignee: 'Assignee',
  unassigned: 'Unassigned',
  created: 'Created',
  updated: 'Last activity',
  closureReason: 'Closure reason',
  inquiryAnswer: 'Inquiry answer',
  formTitle: 'Form',
  formEmpty: 'No form data.',
  messagesTitle: 'Conversation',
  noMessages: 'No messages yet.',
  messageKind: {
    inbound: 'From the person',
    reply: 'Reply',
    note: 'Internal note',
    form: 'Form submitted',
  } as Record<string, string>,
  authorPerson: 'Person',
  authorSystem: 'System',
  replyTitle: 'Reply to the person',
  replyLabel: 'Reply text',
  replySubmit: 'Send reply',
  replySent: 'Reply sent.',
  noteTitle: 'Internal note',
  noteLabel: 'Note text (never sent to the person)',
  noteSubmit: 'Add note',
  noteAdded: 'Note added.',
  transitionTitle: 'Change state',
  transitionTo: 'New state',
  transitionReason: 'Reason',
  transitionClosure: 'Closure reason',
  transitionAnswer: 'Inquiry answer',
  transitionSubmit: 'Change state',
  transitionNone: 'No state change is possible from here.',
  transitionDone: 'State changed.',
  choose: 'Choose…',
  triageTitle: 'Triage',
  triageCategory: 'Category',
  triageSubmit: 'Set triage',
  triageDone: 'Triage set.',
  suspectTitle: 'Suspect flag',
  suspectLabel: 'Mark as suspect',
  suspectReason: 'Reason',
  suspectSubmit: 'Save flag',
  suspectDone: 'Suspect flag saved.',
  assignTitle: 'Assignment',
  assignLabel: 'Assign to',
  assignSubmit: 'Assign',
  assignDone: 'Assignment saved.',
  handoffTitle: 'Hand off to a coordinator',
  handoffCoordinator: 'Coordinator',
  handoffFields: 'Form fields to release',
  handoffNoFields: 'The case has no form fields to release.',
  handoffNote: 'Note for the coordinator',
  handoffSubmit: 'Hand off',
  handoffDone: 'Handed off.',
  noCoordinators: 'No coordinators available.',
  handoffsOfCase: 'Hand-offs',
  noHandoffs: 'No hand-offs.',
  handoffSummary: (coordinator: string, at: string) => `To ${coordinator}, ${at}`,
  handoffReleased: 'Released',
  handoffNothingReleased: 'no fields',
  handoffPending: 'Awaiting outcome',
  historyTitle: 'History',
  noHistory: 'No history.',
  historyChange: (what: string, from: string, to: string) => `${what}: ${from} → ${to}`,
  historyStateDetail: (state: string, detail: string) => `${state} (${detail})`,
  historySuspectOn: 'Marked as suspect',
  historySuspectOff: 'Suspect mark removed',
  historyHandoff: (coordinator: string, fields: string) => `Handed off to ${coordinator}: ${fields}`,
  historyOutcome: (what: string, outcome: string) => `${what}: ${outcome}`,
  userById: (id: string) => `#${id}`,

  // Coordinator
  handoffsTitle: 'Hand-offs',
  handoffItemTitle: (id: number, caseId: number) => `Hand-off #${id} (case #${caseId})`,
  handoffAt: 'Handed off',
  outcome: 'Outcome',
  outcomeNote: 'Note',
  outcomeSubmit: 'Record outcome',
  outcomeDone: 'Outcome recorded.',

  // Admin
  usersTitle: 'Users',
  addUserTitle: 'Add a user',
  role: 'Role',
  addUserSubmit: 'Add user',
  colUser: 'Username',
  colRole: 'Role',
  colStatus: 'Status',
  colTotp: 'Second factor',
  colActions: 'Actions',
  userActive: 'active',
  userDisabled: 'disabled',
  userMustChange: 'must change password',
  totpOn: 'enrolled',
  totpOff: 'not enrolled',
  disable: 'Disable',
  enable: 'Enable',
  reset: 'Reset',
  resetHint: 'Reset gives the user a new one-time password and recovery key.',
  noUsers: 'No users.',
  credentialsTitle: (username: string) => `Credentials for ${username}`,
  credentialsIntro: 'Shown only once. Hand them to the person over a safe channel, then dismiss this box.',
  oneTimePassword: 'One-time password',
  recoveryKey: 'Recovery key',
  userDisabledDone: 'User disabled.',
  userEnabledDone: 'User enabled.',

  // Live updates
  navQueue: 'Queue',
  navWallboard: 'Wallboard',
  liveConnected: 'Live',
  liveConnecting: 'Reconnecting…',
  liveOff: 'Not live',
  liveConnectedTitle: 'Live updates are on.',
  liveConnectingTitle: 'Live updates are reconnecting; the screens may be out of date.',

  // Offer alert
  offerAlert: (n: number) => (n === 1 ? 'A contact is offered to you.' : `${n} contacts are offered to you.`),
  offerAlertOpen: 'Open the queue',
  offerTitle: (n: number) => `(${n}) New contact`,

  // Queue
  queueTitle: 'Queue',
  presencePanel: 'Presence and capacity',
  presence: 'My presence',
  presenceHint: 'Only while available are contacts offered to you.',
  myOffers: 'Offered to me',
  noOffers: 'Nothing offered to you.',
  myContacts: 'My contacts',
  noContacts: 'No connected contacts.',
  waitingLine: 'Waiting line',
  noneWaiting: 'Nobody is waiting.',
  waitingCount: (n: number) => (n === 1 ? '1 waiting' : `${n} waiting`),
  accept: 'Accept',
  reject: 'Reject',
  complete: 'Complete',
  accepted: 'Accepted. The contact is yours.',
  rejected: 'Rejected. The contact goes to someone else.',
  completed: 'Completed.',
  presenceSet: 'Presence changed.',
  entryTitle: (caseId: number | null, entryId: number) => (caseId ? `Case #${caseId}` : `Contact ${entryId}`),
  openCase: 'Open the case',
  waited: (t: string) => `waited ${t}`,
  waiting: (t: string) => `waiting ${t}`,
  callbackBadge: 'callback',
  overflowBadge: 'any operator',
  capacity: (chats: number, max: number, calls: number) => `Chats ${chats}/${max}, calls ${calls}`,
  colWait: 'Wait',
  colLanguage: 'Language',
  colMedia: 'Medium',

  // Wallboard
  wallboardTitle: 'Wallboard',
  wbLive: 'Now',
  wbToday: 'Today (since 00:00 UTC)',
  wbWaiting: 'Waiting now',
  wbLongest: 'Longest wait',
  wbCallbacks: 'Callbacks waiting',
  wbConnected: 'In conversation',
  wbOperators: 'Operators by presence',
  wbOffered: 'Offered',
  wbAnswered: 'Answered',
  wbAbandoned: 'Abandoned',
  wbServiceLevel: (t: number) => `Service level (${t} s)`,
  wbAsa: 'Average speed of answer',
  wbAbandonRate: 'Abandon rate',
  wbUpdated: (t: string) => `Updated ${t}`,
} as const;

export const PRESENCES: Record<string, string> = {
  available: 'Available',
  busy: 'Busy',
  wrap_up: 'Wrap-up',
  away: 'Away',
  offline: 'Offline',
};

export const LANGUAGES: Record<string, string> = {
  ru: 'Russian',
  uk: 'Ukrainian',
  en: 'English',
};

export const MEDIA: Record<string, string> = {
  chat: 'Chat',
  call: 'Call',
};

export const STATES: Record<string, string> = {
  new: 'New',
  triage: 'Triage',
  application: 'Application',
  verification: 'Verification',
  dormant: 'Dormant',
  exit_planning: 'Exit planning',
  handed_off: 'Handed off',
  surrendered: 'Surrendered',
  inquiry: 'Inquiry',
  answered: 'Answered',
  closed: 'Closed',
};

export const KINDS: Record<string, string> = {
  surrender_application: 'Surrender application',
  relative_inquiry: 'Relative inquiry',
};

export const CHANNELS: Record<string, string> = {
  web: 'Web',
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  phone: 'Phone',
  operator_entered: 'Entered by operator',
};

export const TRIAGE: Record<string, string> = {
  unset: 'Not triaged',
  info_only: 'Information only',
  relative_inquiry: 'Relative inquiry',
  surrender_intent: 'Surrender intent',
  non_genuine: 'Not genuine',
};

export const CLOSURE_REASONS: Record<string, string> = {
  completed: 'Completed',
  withdrawn: 'Withdrawn',
  lost_contact: 'Lost contact',
  suspected_provocation: 'Suspected provocation',
  non_genuine: 'Not genuine',
  duplicate: 'Duplicate',
};

export const INQUIRY_ANSWERS: Record<string, string> = {
  no_data: 'No data',
  data_without_captivity_info: 'Data without captivity information',
  probably_captive: 'Probably captive',
  captivity_confirmed: 'Captivity confirmed',
  released_in_exchange: 'Released in an exchange',
};

export const OUTCOMES: Record<string, string> = {
  surrendered: 'Surrendered',
  not_reached: 'Not reached',
  cancelled: 'Cancelled',
};

export const ROLES: Record<string, string> = {
  operator: 'Operator',
  supervisor: 'Supervisor',
  coordinator: 'Coordinator',
  admin: 'Administrator',
};

export const HISTORY_TYPES: Record<string, string> = {
  created: 'Created',
  transition: 'State change',
  triage: 'Triage',
  suspect: 'Suspect flag',
  assign: 'Assignment',
  handoff: 'Hand-off',
  handoff_outcome: 'Hand-off outcome',
};

// Form field labels, application and inquiry forms together.
export const FIELDS: Record<string, string> = {
  // Surrender application
  status: 'Status',
  deployment_date: 'Deployment date',
  unit: 'Unit',
  rank: 'Rank',
  service_number: 'Service number',
  area: 'Area',
  group: 'Group',
  group_size: 'Group size',
  contact_window: 'Contact window',
  after_capture: 'Wishes after capture',
  heard_from: 'Heard about the line from',
  contact: 'Contact',
  name: 'Name',
  free_text: 'Free text',
  // Relative inquiry
  seeker_name: 'Name of the person asking',
  seeker_contact: 'Contact of the person asking',
  relation: 'Relation',
  sought_name: 'Name of the person sought',
  sought_birth_date: 'Birth date of the person sought',
  sought_unit: 'Unit of the person sought',
  marks: 'Distinguishing marks',
};

/** The label for a server value, or the value itself when no label is known. */
export function label(table: Record<string, string>, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return S.none;
  return Object.prototype.hasOwnProperty.call(table, value) ? table[value] : value;
}
