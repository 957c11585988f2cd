"use client";

import Link from "next/link";
import { useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import "./models.css";

/** "K=V" or a bare tag per comma-separated item, as `trainyard model register --tag` takes them. */
export function parseTagText(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of text.split(",").map((t) => t.trim()).filter(Boolean)) {
    const i = item.indexOf("=");
    tags[(i < 0 ? item : item.slice(0, i)).trim()] = i < 0 ? "" : item.slice(i + 1).trim();
  }
  return tags;
}

/** The Register button of a checkpoint row: a small dialog (model name, description, tags) → the next version of that model. */
export function RegisterModelButton({ runId, checkpoint, defaultName }: { runId: string; checkpoint: string; defaultName: string }) {
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(defaultName);
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const models = useQuery({ ...trpc.models.list.queryOptions(), enabled: false });
  const queryClient = useQueryClient();
  const register = useMutation(
    trpc.models.register.mutationOptions({
      // the models pages read the registry again (the list, and the model that gained a version)
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() }),
    }),
  );
  const open = () => {
    register.reset();
    void models.refetch();
    dialog.current?.showModal();
  };
  return (
    <>
      <button type="button" className="link-small button-link" data-testid="register-checkpoint" onClick={open}>
        Register
      </button>
      <dialog ref={dialog} className="register-dialog" aria-labelledby={`register-${checkpoint}-title`} data-testid="register-dialog">
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            register.mutate({ runId, checkpoint, name: name.trim(), description: description.trim() || undefined, tags: parseTagText(tags) });
          }}
        >
          <h2 id={`register-${checkpoint}-title`}>Register checkpoint <span className="mono">{checkpoint}</span></h2>
          <p className="muted small">It becomes the next version of the model (a new model if the name is new), frozen with its lineage.</p>
          <label htmlFor={`register-${checkpoint}-name`}>Model name</label>
          <input id={`register-${checkpoint}-name`} value={name} onChange={(e) => setName(e.target.value)} list={`register-${checkpoint}-models`} required data-testid="register-name" />
          <datalist id={`register-${checkpoint}-models`}>
            {models.data?.map((m) => <option key={m.name} value={m.name} />)}
          </datalist>
          <label htmlFor={`register-${checkpoint}-description`}>Description</label>
          <textarea id={`register-${checkpoint}-description`} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="register-description" />
          <label htmlFor={`register-${checkpoint}-tags`}>Tags <span className="muted small">(comma-separated, KEY=VALUE or a bare tag)</span></label>
          <input id={`register-${checkpoint}-tags`} value={tags} onChange={(e) => setTags(e.target.value)} placeholder="stage=candidate, baseline" data-testid="register-tags" />
          {register.isError && <p className="text-error small" role="alert">{register.error.message}</p>}
          {register.isSuccess ? (
            <p className="small" role="status" data-testid="register-done">
              Registered as <Link href={`/models/${encodeURIComponent(register.data.model)}`} className="mono">{register.data.ref}</Link>
            </p>
          ) : null}
          <div className="version-actions">
            {!register.isSuccess && (
              <button type="submit" className="button button-primary" disabled={register.isPending || !name.trim()} data-testid="register-submit">
                {register.isPending ? "Registering…" : "Register"}
              </button>
            )}
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              {register.isSuccess ? "Close" : "Cancel"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
