// The job API, called with the user's token (kept in localStorage, sent only in the Authorization header).

const TOKEN_KEY = "physicsworks.token";

export const session = {
  token: localStorage.getItem(TOKEN_KEY),
  /** Called when a call with a token is answered 401: the token expired or the secret changed. */
  onUnauthorized: () => {},
};

export function keepToken(token) {
  session.token = token;
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One call; a non-2xx answer throws an ApiError with the server's `error` message. */
export async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    const answer = await res.json();
    if (typeof answer.error === "string") message = answer.error;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && session.token && !path.startsWith("api/v1/auth/")) session.onUnauthorized();
  throw new ApiError(res.status, message);
}

export const apiJson = async (method, path, body) => (await api(method, path, body)).json();
