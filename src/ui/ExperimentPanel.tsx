/**
 * Experiment settings that change the training itself (task, model, optimizer, batch, steps, seed, noise,
 * backend). They are edited as a draft and applied with a reset, because every run must restart from the
 * same step 0; scheduler parameters, by contrast, change live.
 */
import { useEffect, useState } from "react";
import { BACKENDS, type Experiment, experimentSchema, OPTIMIZERS } from "../experiment/config";
import { NOISE_TARGETS, NOISE_TYPES } from "../experiment/noise";
import { FIXED_TASKS, isAnalytic, MNIST_TRAIN_MAX, TASK_LABELS, TASKS } from "../experiment/tasks";
import { useLab } from "./context";

const TARGET_WORDS: Record<string, string> = {
  signal: "scheduler signal — the scheduler sees loss + η; training is untouched",
  gradients: "gradients — g × (1 + η/loss): a real disturbance",
  weights: "weights — a Gaussian shock when η fires",
  data: "data — a burst of label noise when η fires",
};

function NumberField(props: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  step?: number;
  min?: number;
  max?: number;
}) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="number"
        aria-label={props.label}
        value={text}
        step={props.step ?? "any"}
        min={props.min}
        max={props.max}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== "" && Number.isFinite(v)) props.onChange(v);
        }}
      />
    </label>
  );
}

function SelectField<T extends string>(props: {
  label: string;
  name: string;
  value: T;
  options: readonly T[];
  onChange: (v: T) => void;
  words?: Record<string, string>;
  wide?: boolean;
}) {
  return (
    <label className={`field ${props.wide ? "wide" : ""}`}>
      <span>{props.label}</span>
      <select
        aria-label={props.name}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.words?.[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ExperimentPanel() {
  const experiment = useLab((s) => s.experiment);
  const setExperiment = useLab((s) => s.setExperiment);
  const [draft, setDraft] = useState<Experiment>(experiment);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(experiment), [experiment]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(experiment);
  const set = (patch: Partial<Experiment>) => setDraft({ ...draft, ...patch });
  const fixed = FIXED_TASKS.includes(draft.task.kind) || isAnalytic(draft.task.kind);
  const apply = () => {
    const r = experimentSchema.safeParse(draft);
    if (!r.success) {
      setProblem(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      return;
    }
    setProblem(null);
    setExperiment(r.data);
  };
  return (
    <section className="experiment" aria-label="Experiment settings">
      <h2>Experiment</h2>
      <div className="fields">
        <SelectField
          label="task"
          name="Task"
          value={draft.task.kind}
          options={TASKS}
          words={TASK_LABELS}
          wide
          onChange={(kind) => set({ task: { ...draft.task, kind } })}
        />
        {isAnalytic(draft.task.kind) || draft.task.kind === "charlm" ? null : (
          <NumberField
            label={draft.task.kind === "mnist" ? `digits (≤ ${MNIST_TRAIN_MAX})` : "samples"}
            value={draft.task.samples}
            min={20}
            max={5000}
            step={1}
            onChange={(v) => set({ task: { ...draft.task, samples: v } })}
          />
        )}
        {fixed ? null : (
          <NumberField
            label="data noise"
            value={draft.task.noise}
            min={0}
            max={1}
            step={0.05}
            onChange={(v) => set({ task: { ...draft.task, noise: v } })}
          />
        )}
        <label className="field" hidden={fixed}>
          <span>hidden layers</span>
          <input
            aria-label="Hidden layers"
            defaultValue={draft.hidden.join(", ")}
            key={draft.hidden.join(",")}
            onBlur={(e) =>
              set({
                hidden: e.target.value
                  .split(/[,\s]+/)
                  .filter(Boolean)
                  .map(Number),
              })
            }
          />
        </label>
        <SelectField
          label="optimizer"
          name="Optimizer"
          value={draft.optimizer}
          options={OPTIMIZERS}
          onChange={(optimizer) => set({ optimizer })}
        />
        <NumberField
          label="base LR"
          value={draft.baseLr}
          min={0}
          step={0.001}
          onChange={(v) => set({ baseLr: v })}
        />
        <NumberField
          label="batch size"
          value={draft.batchSize}
          min={1}
          step={1}
          onChange={(v) => set({ batchSize: v })}
        />
        <NumberField
          label="steps"
          value={draft.steps}
          min={1}
          step={100}
          onChange={(v) => set({ steps: v })}
        />
        <NumberField label="seed" value={draft.seed} min={0} step={1} onChange={(v) => set({ seed: v })} />
        <SelectField
          label="backend"
          name="Backend choice"
          value={draft.backend}
          options={BACKENDS}
          onChange={(backend) => set({ backend })}
        />
      </div>
      <fieldset className="fields">
        <legend>Noise (the paper's five types)</legend>
        <SelectField
          label="type"
          name="Noise type"
          value={draft.noise.type}
          options={NOISE_TYPES}
          onChange={(type) => set({ noise: { ...draft.noise, type } })}
        />
        <NumberField
          label="noise strength"
          value={draft.noise.strength}
          min={0}
          max={5}
          step={0.1}
          onChange={(v) => set({ noise: { ...draft.noise, strength: v } })}
        />
        <SelectField
          label="enters"
          name="Where noise enters"
          value={draft.noise.target}
          options={NOISE_TARGETS}
          words={TARGET_WORDS}
          wide
          onChange={(target) => set({ noise: { ...draft.noise, target } })}
        />
      </fieldset>
      {problem ? (
        <p className="problem" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="row">
        <button type="button" className={dirty ? "primary" : ""} disabled={!dirty} onClick={apply}>
          Apply &amp; restart
        </button>
        <button type="button" disabled={!dirty} onClick={() => setDraft(experiment)}>
          Discard
        </button>
      </div>
    </section>
  );
}
