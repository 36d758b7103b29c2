-- Exactly-once claims ("handled:<message id>" rows of inbound_events: three B-trees per claim)
-- move to their own table of one B-tree (WITHOUT ROWID: the key is the table). Top-level items
-- leave the parent index. Both: fewer pages written per command.
CREATE TABLE `handled` (
	`key` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `handled` (`key`, `at`) SELECT `platform` || ':' || substr(`event_id`, 9), `received_at` FROM `inbound_events` WHERE substr(`event_id`, 1, 8) = 'handled:' ON CONFLICT DO NOTHING;--> statement-breakpoint
DELETE FROM `inbound_events` WHERE substr(`event_id`, 1, 8) = 'handled:';--> statement-breakpoint
DROP INDEX `items_parent`;--> statement-breakpoint
CREATE INDEX `items_parent` ON `items` (`parent_id`) WHERE "items"."parent_id" is not null;
