-- Requests get a collaboration type, a current stage and that stage's clock. Requests made
-- before types are 跨部门 (internal), at the stage their state implies (the `states` of the
-- internal template in src/domain/processes/builtin.ts): 待确认/有异议/已取消 → 需求确认,
-- 进行中/需整改 → 执行, 待验收 → 成果验收, 已验收/已关闭 → 复盘; their stage has no clock (its
-- start is unknown). Other kinds of item have no type.
ALTER TABLE `items` ADD `process` text;--> statement-breakpoint
ALTER TABLE `items` ADD `stage` text;--> statement-breakpoint
ALTER TABLE `items` ADD `stage_due_at` integer;--> statement-breakpoint
UPDATE `items` SET `process` = 'internal', `stage` = CASE `state`
  WHEN 'active' THEN 'execute'
  WHEN 'rework' THEN 'execute'
  WHEN 'review' THEN 'acceptance'
  WHEN 'accepted' THEN 'retro'
  WHEN 'closed' THEN 'retro'
  ELSE 'request'
END WHERE `kind` = 'request';
