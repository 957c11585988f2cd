CREATE TABLE `run_samples` (
	`run_id` text NOT NULL,
	`split` text NOT NULL,
	`epoch` integer NOT NULL,
	`step` integer NOT NULL,
	`count` integer NOT NULL,
	`items` text NOT NULL,
	`time` real NOT NULL,
	PRIMARY KEY(`run_id`, `split`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
