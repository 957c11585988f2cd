CREATE TABLE `checkpoints` (
	`run_id` text NOT NULL,
	`name` text NOT NULL,
	`epoch` integer NOT NULL,
	`step` integer NOT NULL,
	`path` text NOT NULL,
	`monitor_name` text,
	`monitor_value` real,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`run_id`, `name`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'importing' NOT NULL,
	`dir` text NOT NULL,
	`images_dir` text NOT NULL,
	`manifest_path` text NOT NULL,
	`num_samples` integer DEFAULT 0 NOT NULL,
	`num_groups` integer DEFAULT 0 NOT NULL,
	`diagnoses` text DEFAULT '{}' NOT NULL,
	`features` text DEFAULT '[]' NOT NULL,
	`report` text DEFAULT '{}' NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_name_unique` ON `datasets` (`name`);--> statement-breakpoint
CREATE TABLE `image_caches` (
	`dataset_id` integer NOT NULL,
	`size` integer NOT NULL,
	`path` text NOT NULL,
	`num_images` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`dataset_id`, `size`),
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `label_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`labels` text NOT NULL,
	`source` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `label_sets_name_unique` ON `label_sets` (`name`);--> statement-breakpoint
CREATE TABLE `metrics` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`epoch` integer NOT NULL,
	`phase` text,
	`time` real NOT NULL,
	`value` real NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `metrics_run_key_step_idx` ON `metrics` (`run_id`,`key`,`step`);--> statement-breakpoint
CREATE TABLE `run_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`type` text NOT NULL,
	`level` text,
	`message` text,
	`payload` text NOT NULL,
	`time` real NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_events_run_type_idx` ON `run_events` (`run_id`,`type`,`id`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`dataset_name` text NOT NULL,
	`config` text NOT NULL,
	`config_yaml` text NOT NULL,
	`classes` text DEFAULT '[]' NOT NULL,
	`owner` text DEFAULT 'local' NOT NULL,
	`priority` integer DEFAULT 50 NOT NULL,
	`gpus` integer DEFAULT 1 NOT NULL,
	`attempt` integer DEFAULT 0 NOT NULL,
	`phase` text,
	`epoch` integer DEFAULT 0 NOT NULL,
	`epochs` integer DEFAULT 0 NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	`steps` integer DEFAULT 0 NOT NULL,
	`best_name` text,
	`best_value` real,
	`best_epoch` integer,
	`error` text,
	`stderr_tail` text,
	`exit_code` integer,
	`signal` text,
	`pid` integer,
	`events_offset` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`started_at` integer,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`,`priority`,`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`admin` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_name_idx` ON `users` (`name`);