-- U1: undo V1, drop the users table (its indexes go with it).

DROP TABLE users;
