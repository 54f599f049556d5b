import { hash, verify } from '@node-rs/argon2';

/** Passwords are hashed with Argon2id (memory-hard; the library's defaults: 19 MiB, 2 passes). */
export const hashPassword = (password: string) => hash(password);

export async function checkPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export function validatePassword(p: string): string | null {
  if (p.length < 10) return 'the password must have at least 10 characters';
  if (p.length > 1000) return 'the password is too long';
  return null;
}
