ALTER TABLE `runs` ADD `slots` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `queued_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `restarts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `max_restarts` integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `resume_from` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_token_hash_idx` ON `users` (`token_hash`);