CREATE TABLE `chat_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chat_audit_chat` ON `chat_audit` (`chat_id`,`at`);--> statement-breakpoint
CREATE TABLE `chat_links` (
	`chat_id` text PRIMARY KEY NOT NULL,
	`home_id` text NOT NULL,
	`external` integer DEFAULT false NOT NULL,
	`linked_by` text NOT NULL,
	`linked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `chat_members` (
	`chat_id` text NOT NULL,
	`user_id` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`chat_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `chat_members_user` ON `chat_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `link_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`chat_id` text NOT NULL,
	`created_by` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_in` text
);
