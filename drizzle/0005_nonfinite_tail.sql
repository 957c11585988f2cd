PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_metrics` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`epoch` integer NOT NULL,
	`phase` text,
	`time` real NOT NULL,
	`value` real,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_metrics`("rowid", "run_id", "key", "step", "epoch", "phase", "time", "value") SELECT "rowid", "run_id", "key", "step", "epoch", "phase", "time", "value" FROM `metrics`;--> statement-breakpoint
DROP TABLE `metrics`;--> statement-breakpoint
ALTER TABLE `__new_metrics` RENAME TO `metrics`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `metrics_run_key_step_idx` ON `metrics` (`run_id`,`key`,`step`);