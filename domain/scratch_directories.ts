/**
 * Port: the empty working directories the compatible doors give conversations that name none
 * (`X-Claude-Cwd`), made under one root and removed when the gateway forgets the conversation.
 */
export interface ScratchDirectories {
  /** Makes a new empty directory and returns its absolute path. */
  create(): Promise<string>;
  /** Removes a directory made by {@link create}, with everything in it. */
  remove(path: string): Promise<void>;
}
