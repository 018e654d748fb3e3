import { api } from "@/lib/api/client";
import { ApiError, asProblem, unwrap } from "@/lib/problem";
import type { components } from "@/lib/api/schema";

export type SignUp = components["schemas"]["UserCreate"];

export async function signUp(data: SignUp) {
  return unwrap(await api.POST("/api/auth/signup", { body: data }));
}

export async function verifyEmail(token: string) {
  return unwrap(await api.POST("/api/auth/verify-email", { body: { token } }));
}

export async function resendVerification() {
  return unwrap(await api.POST("/api/auth/verification"));
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new ApiError(response.status, asProblem(await response.json().catch(() => null), response.status));
  }
}

export function requestPasswordReset(email: string): Promise<void> {
  return post("/api/auth/password-reset", { email });
}

export function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
  return post("/api/auth/password-reset/confirm", { token, new_password: newPassword });
}
