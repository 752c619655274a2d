/**
 * The input of Claude Code's `AskUserQuestion` tool, built so the CLI accepts it.
 *
 * The rules are those of CLI 2.1.328: the tool's `input_schema` in a request from the CLI started with
 * `--permission-prompt-tool=stdio` (the only way it offers the tool), plus the refinement in its bundle
 * "Question texts must be unique, option labels must be unique within each question". An input that breaks
 * them never reaches the client: the CLI answers the model with an error tool_result instead.
 *
 * @module
 */

/** One choice of a {@link Question}. */
export interface QuestionOption {
  /** The text the user picks (1–5 words); unique within its question. */
  label: string;
  /** What choosing it means (required by the schema). */
  description: string;
  /** Optional content shown while the option is focused. */
  preview?: string;
}

/** One question of an `AskUserQuestion` call. */
export interface Question {
  /** The whole question, e.g. `"Which color do you want?"`; unique within the call (answers are keyed by it). */
  question: string;
  /** A short chip label (the tool asks for at most 12 characters). */
  header: string;
  /** 2–4 choices. */
  options: QuestionOption[];
  /** Whether several options may be picked (default false; the schema requires the key). */
  multiSelect?: boolean;
}

function fail(message: string): never {
  throw new Error(`reply.askUserQuestion: ${message}`);
}

/**
 * The tool input `{ questions: [{ question, header, options: [{ label, description }], multiSelect }] }`.
 * @param questions 1–4 questions
 * @throws {Error} naming the rule a question breaks
 */
export function askUserQuestionInput(questions: Question[]): { questions: Required<Question>[] } {
  if (questions.length < 1 || questions.length > 4) fail(`give 1-4 questions, not ${questions.length}`);
  const texts = new Set<string>();
  return {
    questions: questions.map((q) => {
      if (q.question === "" || q.header === "") fail("a question needs its question and header text");
      if (texts.has(q.question)) fail(`question "${q.question}" is asked twice`);
      texts.add(q.question);
      if (q.options.length < 2 || q.options.length > 4) {
        fail(`question "${q.question}" needs 2-4 options, not ${q.options.length}`);
      }
      const labels = new Set(q.options.map((o) => o.label));
      if (labels.size !== q.options.length) fail(`question "${q.question}" repeats an option label`);
      return {
        question: q.question,
        header: q.header,
        options: q.options.map((o) => ({ ...o })),
        multiSelect: q.multiSelect ?? false,
      };
    }),
  };
}
