-- migrate:up
create table customers (
  id integer primary key,
  email text not null unique,
  name text not null,
  created_at text not null default current_timestamp
);

-- migrate:down
drop table customers;
