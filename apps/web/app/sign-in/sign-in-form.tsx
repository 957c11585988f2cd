"use client";
// The token a lab admin created with `trainyard user add NAME` goes to the daemon once; the daemon answers
// with an HttpOnly, SameSite=Strict session cookie, so page scripts never hold the token afterwards.
import { useState, type FormEvent } from "react";

/** Only same-site paths: an open redirect would let a link send people elsewhere after signing in. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInForm() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: token.trim() }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        setError(body.error ?? `sign-in failed (${res.status})`);
        return;
      }
      window.location.assign(nextPath());
    } catch {
      setError("cannot reach the daemon; is it running?");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" style={{ maxWidth: 520, margin: "48px auto" }}>
      <h1>Sign in</h1>
      <p>
        Paste the token a lab admin created for you with <code>trainyard user add NAME</code>. It is shown once when
        created; ask for a new one if it is lost.
      </p>
      <form onSubmit={submit}>
        <div className="field-row">
          <label htmlFor="token">Token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="ty_..."
            required
            style={{ flex: 1 }}
          />
        </div>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button className="button button-primary" type="submit" disabled={busy || !token.trim()}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </div>
      </form>
    </section>
  );
}
