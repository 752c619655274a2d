/** Base of every error the domain and application raise; `code` is stable and machine-readable. */
export class DomainError extends Error {
  /** @param code stable identifier, e.g. `process_not_found` */
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No running chat has this process id. */
export class ProcessNotFoundError extends DomainError {
  /** @param processId the id that was looked up; @param message what was not found, when not "running" */
  constructor(readonly processId: string, message = `process "${processId}" is not running`) {
    super("process_not_found", message);
  }
}

/** The Claude Code CLI cannot be found or started. */
export class CliUnavailableError extends DomainError {
  /** @param detail what went wrong, e.g. the OS error */
  constructor(detail: string) {
    super("cli_unavailable", detail);
  }
}

/** A request field is well-formed but not acceptable (e.g. `cwd` does not exist). */
export class InvalidFieldError extends DomainError {
  /** @param field the request field; @param message what is wrong with its value */
  constructor(readonly field: string, message: string) {
    super("validation_error", message);
  }
}

/** A path or option lies outside what the operator allows. */
export class ForbiddenError extends DomainError {
  /** @param field the request field; @param message what is not allowed */
  constructor(readonly field: string, message: string) {
    super("forbidden", message);
  }
}

/** Another running chat is already writing to this session. */
export class SessionBusyError extends DomainError {
  /**
   * @param sessionId the session in use (or a description of it); @param processId the chat using it
   * @param message what is busy, when not a session known by its id
   */
  constructor(
    readonly sessionId: string,
    readonly processId: string,
    message = `session "${sessionId}" is in use by running process "${processId}"`,
  ) {
    super("session_busy", message);
  }
}

/** Every slot and every queue place is taken. */
export class CapacityError extends DomainError {
  /** @param retryAfterS a hint for the client, in seconds */
  constructor(readonly retryAfterS: number, message: string) {
    super("capacity_exhausted", message);
  }
}

/** The request does not fit the state of what it names (a chat that ended, an answered permission request). */
export class ConflictError extends DomainError {
  /** @param code stable identifier, e.g. `chat_ended`; @param message what conflicts */
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** A thing a request names does not exist (a session, a directory, a chat's permission request). */
export class NotFoundError extends DomainError {
  /** @param code stable identifier, e.g. `permission_not_found`; @param message what was not found */
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** The CLI did not answer a control request in time. */
export class CliTimeoutError extends DomainError {
  /** @param message what the CLI did not answer */
  constructor(message: string) {
    super("cli_timeout", message);
  }
}

/** This gateway is a node of a cluster and cannot reach the cluster's store (Redis) or the chat's node now. */
export class ClusterUnavailableError extends DomainError {
  /** @param message what could not be reached */
  constructor(message: string) {
    super("cluster_unavailable", message);
  }
}
