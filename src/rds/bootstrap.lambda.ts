// Placeholder: the database bootstrap handler is being written (issue 4).
export async function handler(): Promise<void> {
  throw new Error('The database bootstrap handler is not implemented yet');
}
