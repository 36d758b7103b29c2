CREATE TABLE `reminders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`item_id` integer,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`rule` text NOT NULL,
	`round` integer DEFAULT 0 NOT NULL,
	`fire_at` integer NOT NULL,
	`urgent` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`fired_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_key` ON `reminders` (`key`);--> statement-breakpoint
CREATE INDEX `reminders_due` ON `reminders` (`status`,`fire_at`);--> statement-breakpoint
CREATE INDEX `reminders_item` ON `reminders` (`item_id`,`status`);