DROP INDEX `reminders_due`;--> statement-breakpoint
DROP INDEX `reminders_item`;--> statement-breakpoint
CREATE INDEX `reminders_pending_due` ON `reminders` (`fire_at`) WHERE "reminders"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `reminders_pending_item` ON `reminders` (`item_id`) WHERE "reminders"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `items_kind_state` ON `items` (`kind`,`state`,`chat_id`);