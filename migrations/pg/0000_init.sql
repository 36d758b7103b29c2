CREATE TABLE "audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" bigint NOT NULL,
	"at" bigint NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text,
	"detail" text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "card_refs" (
	"card_key" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"item_id" bigint,
	"platform_message_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_id" text NOT NULL,
	"at" bigint NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"detail" text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_links" (
	"chat_id" text PRIMARY KEY NOT NULL,
	"home_id" text NOT NULL,
	"external" integer DEFAULT 0 NOT NULL,
	"linked_by" text NOT NULL,
	"linked_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_members" (
	"chat_id" text NOT NULL,
	"user_id" text NOT NULL,
	"seen_at" bigint NOT NULL,
	CONSTRAINT "chat_members_chat_id_user_id_pk" PRIMARY KEY("chat_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "chats" (
	"id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"name" text,
	"project" text,
	"dept" text,
	"leader_id" text,
	"created_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "counters" (
	"key" text PRIMARY KEY NOT NULL,
	"value" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "handled" (
	"key" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_events" (
	"platform" text NOT NULL,
	"event_id" text NOT NULL,
	"received_at" bigint NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"payload" text NOT NULL,
	"claimed_by" text,
	"claimed_until" bigint,
	CONSTRAINT "inbound_events_platform_event_id_pk" PRIMARY KEY("platform","event_id")
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" bigint NOT NULL,
	"seen_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_people" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"duty" text,
	"note" text,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"initiator_id" text NOT NULL,
	"owner_id" text,
	"priority" text,
	"urgent" integer DEFAULT 0 NOT NULL,
	"due_at" bigint,
	"clock_at" bigint,
	"parent_id" bigint,
	"seq_no" text,
	"data" text DEFAULT '{}' NOT NULL,
	"process" text,
	"stage" text,
	"stage_due_at" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"until" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"chat_id" text NOT NULL,
	"created_by" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint,
	"used_in" text
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"body" text NOT NULL,
	"reply_to" text,
	"urgent" integer DEFAULT 0 NOT NULL,
	"card_key" text,
	"item_id" bigint,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"last_error" text,
	"platform_message_id" text,
	"created_at" bigint NOT NULL,
	"sent_at" bigint
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"item_id" bigint,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"rule" text NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"fire_at" bigint NOT NULL,
	"urgent" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" bigint NOT NULL,
	"fired_at" bigint
);
--> statement-breakpoint
CREATE TABLE "sandbox_chats" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"look" text
);
--> statement-breakpoint
CREATE TABLE "sandbox_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_id" text NOT NULL,
	"sender_id" text,
	"body" text NOT NULL,
	"reply_to" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit" ADD CONSTRAINT "audit_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_people" ADD CONSTRAINT "item_people_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_item" ON "audit" USING btree ("item_id","id");--> statement-breakpoint
CREATE INDEX "card_refs_message" ON "card_refs" USING btree ("platform","platform_message_id");--> statement-breakpoint
CREATE INDEX "chat_audit_chat" ON "chat_audit" USING btree ("chat_id","at");--> statement-breakpoint
CREATE INDEX "chat_members_user" ON "chat_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "inbound_status" ON "inbound_events" USING btree ("status","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "item_people_unique" ON "item_people" USING btree ("item_id","user_id","role");--> statement-breakpoint
CREATE INDEX "item_people_user" ON "item_people" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "items_chat_state" ON "items" USING btree ("chat_id","state");--> statement-breakpoint
CREATE INDEX "items_parent" ON "items" USING btree ("parent_id") WHERE "items"."parent_id" is not null;--> statement-breakpoint
CREATE INDEX "items_kind_state" ON "items" USING btree ("kind","state","chat_id");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_chat" ON "outbox" USING btree ("chat_id","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "reminders_key" ON "reminders" USING btree ("key");--> statement-breakpoint
CREATE INDEX "reminders_pending_due" ON "reminders" USING btree ("fire_at") WHERE "reminders"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "sandbox_messages_chat" ON "sandbox_messages" USING btree ("chat_id","id");--> statement-breakpoint
CREATE INDEX "sandbox_messages_rev" ON "sandbox_messages" USING btree ("rev");