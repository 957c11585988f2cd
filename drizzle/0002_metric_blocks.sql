CREATE TABLE `metric_blocks` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`seq` integer NOT NULL,
	`n` integer NOT NULL,
	`min_step` integer NOT NULL,
	`max_step` integer NOT NULL,
	`min_value` real,
	`max_value` real,
	`step_start` integer,
	`step_stride` integer,
	`epoch_runs` text NOT NULL,
	`phase_runs` text NOT NULL,
	`value_data` blob NOT NULL,
	`time_data` blob NOT NULL,
	`step_data` blob,
	PRIMARY KEY(`run_id`, `key`, `seq`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
