CREATE TABLE `metric_groups` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`seq` integer NOT NULL,
	`n` integer NOT NULL,
	`min_step` integer NOT NULL,
	`max_step` integer NOT NULL,
	`sorted` integer NOT NULL,
	`group_data` blob NOT NULL,
	PRIMARY KEY(`run_id`, `key`, `seq`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
