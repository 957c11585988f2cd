ALTER TABLE `runs` ADD `executor` text DEFAULT 'local' NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `nodes` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `job_id` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `job_state` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `pending_reason` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `node_list` text;