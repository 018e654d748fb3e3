// API errors arrive as RFC 9457 problem+json; people read them in the page's language (lib/i18n: `errors.*`).

export type Problem = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string | null;
  /** Why, for problems that say it (e.g. `weak-password`: common, personal, guessable). */
  reason?: string;
  errors?: { loc: (string | number)[]; msg: string; type: string }[];
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }

  /** The last segment of the problem type, e.g. `conflict`, `invalid-input`, `account-closed`. */
  get code(): string {
    return (this.problem.type ?? "").split("/").pop() || String(this.status);
  }

  /** Field names the server rejected (422 validation errors), e.g. ["email"]. */
  get fields(): string[] {
    return (this.problem.errors ?? []).map((e) => String(e.loc[e.loc.length - 1]));
  }
}

export function asProblem(value: unknown, status: number): Problem {
  if (value && typeof value === "object") return value as Problem;
  return { status, title: `HTTP ${status}` };
}

/** The data of an openapi-fetch result, or an ApiError carrying its problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, asProblem(result.error, result.response.status));
  }
  return result.data as T;
}
