META
ue
budget;10.5
vote_type;cumulative
PROJECTS
project_id;cost;name
a;4;"x;""y"""
b;0
VOTES
voter_id;vote;point;vote;points
1;a,b;1,2
2;;
