CREATE TABLE `metric_groups` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`page` integer NOT NULL,
	`blocks` integer NOT NULL,
	`block_points` text NOT NULL,
	`min_step` integer NOT NULL,
	`max_step` integer NOT NULL,
	`sorted` integer NOT NULL,
	`group_data` blob NOT NULL,
	PRIMARY KEY(`run_id`, `key`, `page`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
