/**
 * A small typed client for the resident's calls, written only against the types that openapi-typescript
 * generates from /api/schema/ (tests/clients/test_typescript_client.py puts them beside this file as
 * ./api.d.ts and runs `tsc --strict --noEmit`). It is what a mobile team would write: if the schema asks
 * for a field the server defaults, says a nullable field is not, or drops a declared header, this stops
 * compiling.
 */
import type { components, paths } from "./api";

type Schemas = components["schemas"];
type Proposals = paths["/api/v1/proposals/"];
type Register = paths["/api/v1/auth/register/"]["post"];
type Verify = paths["/api/v1/auth/verify/"]["post"];
type CodeResend = paths["/api/v1/auth/code/resend/"]["post"];
type PasswordReset = paths["/api/v1/auth/password/reset/"]["post"];
type PasswordResetConfirm = paths["/api/v1/auth/password/reset/confirm/"]["post"];
type Vote = paths["/api/v1/proposals/{id}/vote/"];
type Reports = paths["/api/v1/reports/"]["post"];
type Thread = paths["/api/v1/proposals/{proposal_id}/comments/"];
type OneComment = paths["/api/v1/comments/{comment_id}/"];
type Follow = paths["/api/v1/proposals/{proposal_id}/follow/"];
type CommentFlags = paths["/api/v1/comments/{comment_id}/flags/"]["post"];

export type RegisterBody = NonNullable<Register["requestBody"]>["content"]["application/json"];
/** Every request for a text answers this: seconds the code lives, seconds before asking again. */
export type CodeSent = Register["responses"][202]["content"]["application/json"];
export type VerifyBody = NonNullable<Verify["requestBody"]>["content"]["application/json"];
export type SignedIn = Verify["responses"][201]["content"]["application/json"];
export type CodePurpose = NonNullable<CodeResend["requestBody"]>["content"]["application/json"]["purpose"];
export type PasswordResetConfirmBody = NonNullable<PasswordResetConfirm["requestBody"]>["content"]["application/json"];
export type ProposalQuery = NonNullable<Proposals["get"]["parameters"]["query"]>;
export type ProposalPage = Proposals["get"]["responses"][200]["content"]["application/json"];
export type ProposalCreateBody = NonNullable<Proposals["post"]["requestBody"]>["content"]["application/json"];
export type ProposalCreateHeaders = NonNullable<Proposals["post"]["parameters"]["header"]>;
export type ProposalDetail = Proposals["post"]["responses"][201]["content"]["application/json"];
export type VoteState = Vote["post"]["responses"][201]["content"]["application/json"];
export type ReportFields = Omit<NonNullable<Reports["requestBody"]>["content"]["multipart/form-data"], "image">;
export type Report = Reports["responses"][201]["content"]["application/json"];

export type CommentQuery = NonNullable<Thread["get"]["parameters"]["query"]>;
export type CommentPage = Thread["get"]["responses"][200]["content"]["application/json"];
export type CommentCreateBody = NonNullable<Thread["post"]["requestBody"]>["content"]["application/json"];
export type CommentCreateHeaders = NonNullable<Thread["post"]["parameters"]["header"]>;
export type Comment = Thread["post"]["responses"][201]["content"]["application/json"];
export type CommentUpdateBody = NonNullable<OneComment["patch"]["requestBody"]>["content"]["application/json"];
export type FollowState = Follow["post"]["responses"][200]["content"]["application/json"];
export type CommentFlagBody = NonNullable<CommentFlags["requestBody"]>["content"]["application/json"];
export type CommentFlag = CommentFlags["responses"][201]["content"]["application/json"];

export interface Api {
  baseUrl: string;
  token?: string;
  language?: "id" | "en";
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Schemas["ErrorOutput"],
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

async function call<T>(
  api: Api,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  options: { query?: Query; json?: unknown; form?: FormData; headers?: Record<string, string> } = {},
): Promise<T> {
  const url = new URL(path, api.baseUrl);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (api.token) headers.Authorization = `Bearer ${api.token}`;
  if (api.language) headers["Accept-Language"] = api.language;
  let body: string | FormData | undefined = options.form;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  const response = await fetch(url, { method, headers, body });
  if (!response.ok) throw new ApiError(response.status, (await response.json()) as Schemas["ErrorOutput"]);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export function register(api: Api, body: RegisterBody): Promise<CodeSent> {
  return call(api, "POST", "/api/v1/auth/register/", { json: body });
}

/** Registration with only what the server requires: the language defaults on the server. */
export function registerResident(api: Api, phone: string, kelurahan: number): Promise<CodeSent> {
  return register(api, { phone, password: "rahasia-sekali-123", display_name: "Siti Warga", kelurahan });
}

/** The texted code back: the phone is verified and the resident signed in. */
export function verify(api: Api, body: VerifyBody): Promise<SignedIn> {
  return call(api, "POST", "/api/v1/auth/verify/", { json: body });
}

/** "Send again" on a code screen, for either purpose. */
export function resendCode(api: Api, phone: string, purpose: CodePurpose): Promise<CodeSent> {
  return call(api, "POST", "/api/v1/auth/code/resend/", { json: { phone, purpose } });
}

export function requestPasswordReset(
  api: Api,
  body: NonNullable<PasswordReset["requestBody"]>["content"]["application/json"],
): Promise<CodeSent> {
  return call(api, "POST", "/api/v1/auth/password/reset/", { json: body });
}

export function confirmPasswordReset(
  api: Api,
  body: PasswordResetConfirmBody,
): Promise<PasswordResetConfirm["responses"][200]["content"]["application/json"]> {
  return call(api, "POST", "/api/v1/auth/password/reset/confirm/", { json: body });
}

/** How long a code screen counts down, and when its "Send again" button comes on (milliseconds). */
export function codeTimers(sent: CodeSent): { expiresMs: number; resendMs: number } {
  return { expiresMs: sent.expires_in * 1000, resendMs: sent.resend_after * 1000 };
}

export function listProposals(api: Api, query: ProposalQuery = {}): Promise<ProposalPage> {
  return call(api, "GET", "/api/v1/proposals/", { query });
}

/** The cursor of a page's `next` link, or undefined on the last page. */
export function nextCursor(page: ProposalPage): string | undefined {
  if (page.next == null) return undefined; // the schema has `next` optional as well as nullable
  return new URL(page.next).searchParams.get("cursor") ?? undefined;
}

/** Every public proposal of a query, page after page, following the cursor. */
export async function allProposals(api: Api, query: ProposalQuery = {}): Promise<ProposalPage["results"]> {
  const results: ProposalPage["results"] = [];
  let cursor: string | undefined;
  do {
    const page = await listProposals(api, { ...query, cursor });
    results.push(...page.results);
    cursor = nextCursor(page);
  } while (cursor !== undefined);
  return results;
}

export function createProposal(
  api: Api,
  body: ProposalCreateBody,
  headers: ProposalCreateHeaders = {},
): Promise<ProposalDetail> {
  return call(api, "POST", "/api/v1/proposals/", { json: body, headers });
}

/** A proposal with only the required fields: language, anonymous, unit and the rest default on the server. */
export function submitMinimalProposal(
  api: Api,
  kelurahan: number,
  category: number,
  idempotencyKey: string,
): Promise<ProposalDetail> {
  return createProposal(
    api,
    {
      title: "Pelatihan menjahit",
      description: "Warga membutuhkan pelatihan keterampilan.",
      category,
      kelurahan,
    },
    { "Idempotency-Key": idempotencyKey },
  );
}

export function vote(api: Api, proposalId: number): Promise<VoteState> {
  return call(api, "POST", `/api/v1/proposals/${proposalId}/vote/`);
}

export function unvote(api: Api, proposalId: number): Promise<Vote["delete"]["responses"][200]["content"]["application/json"]> {
  return call(api, "DELETE", `/api/v1/proposals/${proposalId}/vote/`);
}

/** A photo report: the typed fields go into the form as text, the photo as a file. */
export function report(api: Api, fields: ReportFields, image: Blob): Promise<Report> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) form.append(name, String(value));
  }
  form.append("image", image, "report.jpg");
  return call(api, "POST", "/api/v1/reports/", { form });
}

/** The votes a page shows, by proposal: reads fields of the output the way an app's list screen would. */
export function tallies(page: ProposalPage): Map<number, number> {
  return new Map(page.results.map((proposal) => [proposal.id, proposal.vote_count]));
}

// --- Discussion (issue 25) ---------------------------------------------------------------------------------

export function listComments(api: Api, proposalId: number, query: CommentQuery = {}): Promise<CommentPage> {
  return call(api, "GET", `/api/v1/proposals/${proposalId}/comments/`, { query });
}

export function postComment(
  api: Api,
  proposalId: number,
  body: CommentCreateBody,
  headers: CommentCreateHeaders = {},
): Promise<Comment> {
  return call(api, "POST", `/api/v1/proposals/${proposalId}/comments/`, { json: body, headers });
}

export function postReportComment(api: Api, reportId: number, body: CommentCreateBody): Promise<Comment> {
  return call(api, "POST", `/api/v1/reports/${reportId}/comments/`, { json: body });
}

export function editComment(api: Api, commentId: number, body: CommentUpdateBody): Promise<Comment> {
  return call(api, "PATCH", `/api/v1/comments/${commentId}/`, { json: body });
}

export function deleteComment(api: Api, commentId: number): Promise<void> {
  return call(api, "DELETE", `/api/v1/comments/${commentId}/`);
}

export function flagComment(api: Api, commentId: number, body: CommentFlagBody): Promise<CommentFlag> {
  return call(api, "POST", `/api/v1/comments/${commentId}/flags/`, { json: body });
}

export function follow(api: Api, proposalId: number): Promise<FollowState> {
  return call(api, "POST", `/api/v1/proposals/${proposalId}/follow/`);
}

export function unfollow(api: Api, proposalId: number): Promise<Follow["delete"]["responses"][200]["content"]["application/json"]> {
  return call(api, "DELETE", `/api/v1/proposals/${proposalId}/follow/`);
}

/** What a thread screen shows for a comment: its text, or the placeholder of a removed one; staff by role. */
export function commentLine(comment: CommentPage["results"][number]): string {
  const text = comment.state === "visible" ? comment.body : comment.notice;
  return `${comment.is_official ? "✔ " : ""}${comment.author_name}: ${text} (${comment.parent ?? "-"})`;
}

/** How many comments a list item shows. */
export function commentCounts(page: ProposalPage): Map<number, number> {
  return new Map(page.results.map((proposal) => [proposal.id, proposal.comment_count]));
}
