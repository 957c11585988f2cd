CREATE TABLE `sweep_trials` (
	`sweep_id` text NOT NULL,
	`number` integer NOT NULL,
	`run_id` text,
	`params` text NOT NULL,
	`epochs` integer DEFAULT 0 NOT NULL,
	`value` real,
	`outcome` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`ended_at` integer,
	PRIMARY KEY(`sweep_id`, `number`),
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `sweep_trials_run_idx` ON `sweep_trials` (`run_id`);--> statement-breakpoint
CREATE TABLE `sweeps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`owner` text DEFAULT 'local' NOT NULL,
	`config` text NOT NULL,
	`config_yaml` text NOT NULL,
	`max_trials` integer NOT NULL,
	`parallel` integer NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`ended_at` integer
);
