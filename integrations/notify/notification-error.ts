/** A channel that could not be told; `retryable` says whether trying again may help. */
export class NotificationError extends Error {
  override name = 'NotificationError';
  constructor(
    readonly channel: 'email' | 'webhook',
    readonly retryable: boolean,
    message: string
  ) {
    super(message);
  }
}
