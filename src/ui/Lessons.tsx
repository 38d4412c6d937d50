/**
 * The lessons gallery (from the header, on the first screen) and the open lesson's text beside the charts.
 * Every lesson is a share link: the gallery's links are real URLs (copy, open in a new tab, paste in a chat),
 * and clicking one opens it in place without reloading.
 */

import { useState } from "react";
import { defaultExperiment, type Experiment, FIRST_SCREEN_CAPTION, OPTIMIZERS } from "../experiment/config";
import {
  isCore,
  LESSONS,
  type Lesson,
  lessonById,
  lessonQuery,
  lessonState,
  QUICK_FIELDS,
  sameRace,
} from "../experiment/lessons";
import { NOISE_TYPES } from "../experiment/noise";
import { raceCaveats, raceRefusals } from "../experiment/raceRefusals";
import { TASKS } from "../experiment/tasks";
import { FIELDS, getPath, setPath, validateExperiment } from "../experiment/validate";
import { useLab } from "./context";
import { useModal } from "./useModal";

function LessonLink({
  e,
  children,
  onOpen,
}: {
  e: Experiment;
  children: React.ReactNode;
  onOpen?: () => void;
}) {
  const setExperiment = useLab((s) => s.setExperiment);
  const present = useLab((s) => s.experiment.view.present);
  return (
    <a
      href={`?${lessonQuery(e)}`}
      onClick={(ev) => {
        if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return; // new tab: let the browser do it
        ev.preventDefault();
        // A teacher presenting stays in presenter mode from one lesson to the next.
        setExperiment(present ? { ...e, view: { ...e.view, present } } : e);
        onOpen?.();
      }}
    >
      {children}
    </a>
  );
}

/** "Take this lesson home": the race as PyTorch (the Export menu), or why this one cannot go. */
function TakeHome({ e }: { e: Experiment }) {
  const why = raceRefusals(e);
  const caveats = why.length ? [] : raceCaveats(e);
  return (
    <p className="take-home muted">
      {why.length ? (
        <>Why this race has no PyTorch export: {why.join("; ")}.</>
      ) : (
        <>
          <strong>Take this lesson home:</strong> <em>Export → PyTorch script</em> or{" "}
          <em>Jupyter notebook</em> reproduces this race {caveats.length ? "" : "step by step "}in PyTorch:
          the same data, weights, batches and schedulers.{caveats.length ? ` But ${caveats.join("; ")}.` : ""}
        </>
      )}
    </p>
  );
}

export function LessonsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useModal(open);
  return (
    <dialog ref={ref} aria-label="Lessons" onClose={onClose} className="lessons-dialog">
      <h2>Lessons</h2>
      <p className="muted">
        Each lesson is a ready experiment with what to watch, a question for the class and what to try next.
        Its link is the lesson: share it, or open it in presenter mode.
      </p>
      {[true, false].map((core) => (
        <section key={String(core)} aria-label={core ? "Core path" : "More topics"}>
          <h3 className="gallery-head">
            {core ? "The core path: a 90-minute class, in teaching order" : "More topics"}
          </h3>
          <ol className="gallery" start={core ? 1 : LESSONS.filter((l) => isCore(l.id)).length + 1}>
            {LESSONS.map((l, i) =>
              isCore(l.id) === core ? (
                <li key={l.id} className="card">
                  <h4>
                    <span className="muted">{i + 1}.</span>{" "}
                    <LessonLink e={l.experiment} onOpen={onClose}>
                      {l.title}
                    </LessonLink>
                  </h4>
                  <p>{l.summary}</p>
                </li>
              ) : null,
            )}
          </ol>
        </section>
      ))}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

/** Renders `code`-quoted words of lesson texts as <code>. */
function Text({ s }: { s: string }) {
  return (
    <>
      {s.split(/(`[^`]+`)/).map((part, i) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: static text split
        part.startsWith("`") ? <code key={i}>{part.slice(1, -1)}</code> : <span key={i}>{part}</span>,
      )}
    </>
  );
}

const CHOICES: Record<string, readonly string[]> = { task: TASKS, noise: NOISE_TYPES, opt: OPTIMIZERS };
const QUICK_LABELS: Record<string, string> = {
  lr: "base LR",
  steps: "steps",
  task: "task",
  noise: "noise type",
  opt: "optimizer",
};

/**
 * One experiment setting the lesson's text asks for, right in the lesson panel: a list applies when chosen,
 * a number on Enter. It goes through the experiment's one validation path; a bad value is named and nothing
 * changes. The race restarts with it (the panel then says "changed from the lesson").
 */
function QuickField({ k }: { k: string }) {
  const experiment = useLab((s) => s.experiment);
  const setExperiment = useLab((s) => s.setExperiment);
  const field = FIELDS.find((f) => f.key === k)!;
  const now = getPath(experiment, field.path);
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const apply = (v: unknown) => {
    const raw = structuredClone(experiment) as unknown as Record<string, unknown>;
    setPath(raw, field.path, v);
    const r = validateExperiment(raw);
    if (r.ignored.length) setProblem(r.ignored.join("; "));
    else {
      setProblem(null);
      setDraft(null);
      setExperiment(r.experiment);
    }
  };
  const choices = CHOICES[k];
  return (
    <form
      className="quick-field"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft !== null) apply(Number(draft));
      }}
    >
      <label>
        {QUICK_LABELS[k]}{" "}
        {choices ? (
          <select value={String(now)} onChange={(e) => apply(e.target.value)}>
            {choices.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        ) : (
          <input
            inputMode="decimal"
            size={8}
            value={draft ?? String(now)}
            onChange={(e) => setDraft(e.target.value)}
            aria-describedby={problem ? `${k}-problem` : undefined}
          />
        )}
      </label>
      {choices ? null : <button type="submit">Apply</button>}
      {problem ? (
        <span className="problem" id={`${k}-problem`} role="alert">
          {problem}
        </span>
      ) : null}
    </form>
  );
}

export function LessonPanel({ onGallery }: { onGallery: () => void }) {
  const experiment = useLab((s) => s.experiment);
  const id = experiment.view.lesson;
  const present = useLab((s) => s.experiment.view.present);
  const explain = useLab((s) => s.experiment.view.explain);
  const hidden = useLab((s) => s.experiment.view.hide.length > 0);
  const setView = useLab((s) => s.setView);
  if (!id)
    // The first screen says in one line what to look at; any other experiment speaks for itself.
    return !experiment.view.replay && sameRace(experiment, defaultExperiment()) ? (
      <p className="first-caption" role="note">
        {FIRST_SCREEN_CAPTION}{" "}
        <LessonLink e={lessonById("meet-greedylr")!.experiment}>Open it as a lesson</LessonLink>
      </p>
    ) : null;
  const l: Lesson | undefined = lessonById(id);
  if (!l)
    return (
      <section className="lesson" aria-label="Lesson">
        <p>
          This link names a lesson (“{id}”) that this version of LR Lab does not have; the experiment itself
          is loaded.{" "}
          <button type="button" onClick={onGallery}>
            See all lessons
          </button>
        </p>
      </section>
    );
  const i = LESSONS.indexOf(l);
  const prev = LESSONS[i - 1];
  const next = LESSONS[i + 1];
  const where = lessonState(l, experiment);
  const watch = where === "alt" && l.alt ? l.alt.watch : l.watch;
  const texts = (
    <>
      {where === "changed" ? (
        <p className="changed" role="status">
          Changed from the lesson: the runs or settings differ from what the text below describes.{" "}
          <LessonLink e={l.experiment}>Back to the lesson</LessonLink>
        </p>
      ) : null}
      <dl>
        <dt>Watch{where === "alt" && l.alt ? ` — ${l.alt.label.toLowerCase()}` : ""}</dt>
        <dd>
          <Text s={watch} />
        </dd>
        <dt>Question for the class</dt>
        <dd>
          <Text s={l.question} />
        </dd>
        <dt>Try next</dt>
        <dd>
          <Text s={l.next} />
        </dd>
      </dl>
      <TakeHome e={experiment} />
      {l.controls.some((c) => (QUICK_FIELDS as readonly string[]).includes(c)) ? (
        <fieldset className="quick-fields">
          <legend>Change here</legend>
          {l.controls
            .filter((c) => (QUICK_FIELDS as readonly string[]).includes(c))
            .map((c) => (
              <QuickField key={c} k={c} />
            ))}
        </fieldset>
      ) : null}
    </>
  );
  const actions = (
    <div className="lesson-actions">
      {l.alt && where !== "alt" ? <LessonLink e={l.alt.experiment}>{l.alt.label}</LessonLink> : null}
      {l.alt && where === "alt" ? (
        <LessonLink e={l.experiment}>Back to the lesson's own link</LessonLink>
      ) : null}
      <button type="button" aria-pressed={present} onClick={() => setView({ present: !present })}>
        {present ? "Leave presenter mode" : "Present this lesson"}
      </button>
      <button type="button" aria-pressed={explain} onClick={() => setView({ explain: !explain })}>
        Explain {explain ? "on" : "off"}
      </button>
      {hidden ? (
        <button type="button" onClick={() => setView({ hide: [] })}>
          Show all controls
        </button>
      ) : null}
      <button type="button" onClick={onGallery}>
        All lessons
      </button>
      {prev ? (
        <LessonLink e={prev.experiment}>
          ← {prev.title} <kbd>B</kbd>
        </LessonLink>
      ) : null}
      {next ? (
        <LessonLink e={next.experiment}>
          {next.title} → <kbd>N</kbd>
        </LessonLink>
      ) : null}
    </div>
  );
  // Presenter mode: a compact strip over the charts (title and what to watch, two lines at most) that opens
  // for the question and what to try next — the charts stay on the projector's first screen.
  if (present)
    return (
      <section aria-label={`Lesson: ${l.title}`}>
        <details className="lesson strip">
          <summary>
            <strong>
              Lesson {i + 1}: {l.title}
            </strong>{" "}
            <span className="strip-watch">
              {where === "changed" ? "(changed from the lesson) " : ""}
              <Text s={watch} />
            </span>
          </summary>
          {texts}
          {actions}
        </details>
      </section>
    );
  return (
    <section className="lesson" aria-label={`Lesson: ${l.title}`}>
      <h2>
        Lesson {i + 1}: {l.title}
      </h2>
      {texts}
      {actions}
    </section>
  );
}
