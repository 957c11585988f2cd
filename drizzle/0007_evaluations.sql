CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`checkpoint` text NOT NULL,
	`dataset` text NOT NULL,
	`split` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`epoch` integer,
	`samples` integer,
	`metrics` text,
	`curves` text,
	`error` text,
	`owner` text DEFAULT 'local' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`started_at` integer,
	`ended_at` integer,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `evaluations_run_idx` ON `evaluations` (`run_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `evaluations_status_idx` ON `evaluations` (`status`,`created_at`);