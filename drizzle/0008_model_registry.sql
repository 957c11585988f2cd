CREATE TABLE `alias_moves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` integer NOT NULL,
	`alias` text NOT NULL,
	`from_version` integer,
	`to_version` integer NOT NULL,
	`moved_by` text NOT NULL,
	`moved_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alias_moves_model_idx` ON `alias_moves` (`model_id`,`id`);--> statement-breakpoint
CREATE TABLE `model_aliases` (
	`model_id` integer NOT NULL,
	`alias` text NOT NULL,
	`version` integer NOT NULL,
	PRIMARY KEY(`model_id`, `alias`),
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_versions` (
	`model_id` integer NOT NULL,
	`version` integer NOT NULL,
	`run_id` text NOT NULL,
	`checkpoint_name` text NOT NULL,
	`checkpoint_path` text NOT NULL,
	`checkpoint_sha256` text NOT NULL,
	`config` text NOT NULL,
	`dataset_name` text NOT NULL,
	`dataset_fingerprint` text,
	`classes` text NOT NULL,
	`task` text NOT NULL,
	`metrics` text NOT NULL,
	`description` text,
	`tags` text DEFAULT '{}' NOT NULL,
	`owner` text DEFAULT 'local' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`model_id`, `version`),
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `model_versions_run_idx` ON `model_versions` (`run_id`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`owner` text DEFAULT 'local' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_name_unique` ON `models` (`name`);