// Which builder reads which command.

import type { CommandName } from '../types.ts';
import { buildMore, buildReply, buildResolve, buildSubmit } from './answer.ts';
import { buildAsk } from './ask.ts';
import { buildAssign } from './assign.ts';
import { buildContact } from './contact.ts';
import { buildDelay, buildMilestone } from './delay.ts';
import { buildDue } from './due.ts';
import { buildHelp } from './help.ts';
import type { Builder } from './input.ts';
import { buildIssue } from './issue.ts';
import { buildClose, buildWithReason } from './lifecycle.ts';
import { buildMinutes } from './minutes.ts';
import { buildNote } from './note.ts';
import { buildProgress } from './progress.ts';
import { buildExport, buildList, buildReport, buildShow } from './queries.ts';
import { buildReq } from './req.ts';
import { buildRetro } from './retro.ts';
import { buildSetup } from './setup.ts';
import { buildLink, buildMembers, buildUnlink } from './link.ts';
import { buildChange, buildDone, buildSkip, buildStage, buildSurvey } from './stage.ts';
import { buildTask } from './task.ts';

export const BUILDERS: Readonly<Record<CommandName, Builder>> = {
  help: buildHelp,
  req: buildReq,
  contact: buildContact,
  task: buildTask,
  progress: buildProgress,
  ask: buildAsk,
  reply: buildReply,
  more: buildMore,
  note: buildNote,
  issue: buildIssue,
  resolve: buildResolve,
  minutes: buildMinutes,
  submit: buildSubmit,
  close: buildClose,
  reopen: buildWithReason('reopen'),
  cancel: buildWithReason('cancel'),
  due: buildDue,
  assign: buildAssign,
  retro: buildRetro,
  list: buildList,
  show: buildShow,
  report: buildReport,
  export: buildExport,
  setup: buildSetup,
  link: buildLink,
  unlink: buildUnlink,
  members: buildMembers,
  stage: buildStage,
  done: buildDone,
  skip: buildSkip,
  change: buildChange,
  survey: buildSurvey,
  delay: buildDelay,
  milestone: buildMilestone,
};
